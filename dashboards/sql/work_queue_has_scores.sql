-- Whether the warehouse holds case scores yet (the table comes with the first trained model).
select count(*) > 0 as has_scores from duckdb_tables()
where schema_name = 'scores' and table_name = 'case_scores'
