{{ config(unique_key=['rate_date', 'currency']) }}
with

{{ staging_latest('fx_rates', ['rate_date', 'currency']) }},

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
