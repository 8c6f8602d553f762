"""One module per CI target: each lays out the workspace and fills its templates."""
