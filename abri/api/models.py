"""No models: this app calls the other apps' services."""
