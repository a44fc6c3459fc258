"""The whole-clip fit: one body with fixed segment lengths and joint limits fitted to every frame
of a cleaned track at once (track_fit.fit_track), on a floor fitted through its feet."""
