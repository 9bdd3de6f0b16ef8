"""Sample data: the demo unit and a generator of rosters of any size."""
