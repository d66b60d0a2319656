-- Whether the warehouse holds a model registry yet (it comes with the first trained model).
select count(*) > 0 as has_models from information_schema.tables
where table_schema = 'scores' and table_name = 'models'
