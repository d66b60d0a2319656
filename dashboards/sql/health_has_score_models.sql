-- Whether the warehouse holds a model registry yet (it comes with the first trained model).
select count(*) > 0 as has_models from duckdb_tables()
where schema_name = 'scores' and table_name = 'models'
