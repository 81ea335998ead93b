"""Physics: efficiency tables (GB 18613, IEC 60034-30-1, old-motor baselines) and part load,
as public vectorised functions with units."""
