"""The Textual UI. Reaches data only through `desk.services.Desk`."""
