"""A matter's life: its transitions, its clocks on the working-day calendar, its notices."""
