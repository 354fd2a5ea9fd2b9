"""The thin core shared by every domain: error pages, template helpers, health."""
