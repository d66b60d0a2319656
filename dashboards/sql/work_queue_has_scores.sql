-- Whether the warehouse holds case scores yet (the table comes with the first trained model).
select count(*) > 0 as has_scores from information_schema.tables
where table_schema = 'scores' and table_name = 'case_scores'
