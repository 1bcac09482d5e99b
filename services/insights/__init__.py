"""What the alliance learned and gained: lessons, benefits, peers and diffusion (pure domain)."""
