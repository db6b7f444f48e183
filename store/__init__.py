"""The store room: where the built graph lives (embedded pyoxigraph on disk), and its atomic build."""
