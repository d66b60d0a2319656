{{ config(unique_key=['rate_date', 'currency']) }}
with

source as {{ raw_source_cte_hint() }} (

    select * from {{ source('raw', 'fx_rates') }} as raw_rows
    {{ keys_loaded_since_last_build(source('raw', 'fx_rates'), ['rate_date', 'currency']) }}

),

latest as (

    {{ deduplicate_latest('source', ['rate_date', 'currency'], 'fx_rates') }}

),

final as (

    select
        {{ dbt.concat([
            'currency',
            "'|'",
            dbt.cast('rate_date', dbt.type_string())
        ]) }} as fx_rate_id,
        cast(rate_date as date) as rate_date,
        currency,
        cast(rate_to_reporting as decimal(24, 10)) as rate_to_reporting,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

)

select * from final
