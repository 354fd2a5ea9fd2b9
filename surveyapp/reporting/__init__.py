"""PDF reports for account teams: context from the analysis JSON, Jinja layouts in `reports/<kind>/`,
WeasyPrint behind a locked-down URL fetcher (in a renderer child process), storage, approval and delivery."""
