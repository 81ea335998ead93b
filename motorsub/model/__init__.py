"""The sourced data model: schemes, savings profiles, power intervals and the strict base
every data file is validated with."""
