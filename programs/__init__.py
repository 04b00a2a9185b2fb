"""The steering committee's work program: tasks by quarter, units' own
programs, "Dân vận khéo" bright spots, inspections and the reporting regime."""
