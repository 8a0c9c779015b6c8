"""The versioned data files of coalesce_games (see README.md here); read them through coalesce_games.data."""
