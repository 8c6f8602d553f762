"""Quality badges: images (SVG/PNG), baking credentials into them, signing and verifying."""
