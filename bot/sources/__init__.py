"""Creator data sources: live TikHub and the bundled demo dataset."""
