{{ config(unique_key='debtor_id') }}
with

{{ staging_latest('erp_customers', ['debtor_id'], updated_at='updated_at') }},

final as (

    select
        debtor_id,
        name as debtor_name,
        segment,
        country as country_code,
        timezone,
        email,
        phone,
        cast(credit_limit as decimal(18, 2)) as credit_limit_amount,
        currency,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

)

select * from final
