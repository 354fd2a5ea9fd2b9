"""Suppliers, accounts, contacts, studies and their phases."""
