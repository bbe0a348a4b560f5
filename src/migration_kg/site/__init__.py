"""The published Linked Data site: pages, pictures, release description, hosting rules and the local web server."""
