{#- Spark only (orchestration/spark_build.py): the raw layer's Parquet directories, `tables`
    (source table name -> directory), as the tables `raw.<name>` the dbt sources resolve to.
    Run as `dbt run-operation register_raw_parquet --args '{tables: {...}}'`. -#}
{% macro register_raw_parquet(tables) %}
    {% do run_query('create database if not exists raw') %}
    {% for name, location in tables.items() %}
        {% do run_query('drop table if exists raw.' ~ name) %}
        {% do run_query(
            'create table raw.' ~ name ~ " using parquet location '" ~ location ~ "'"
        ) %}
    {% endfor %}
{% endmacro %}
