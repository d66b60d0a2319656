{{ config(unique_key='debtor_id') }}
with

source as {{ raw_source_cte_hint() }} (

    select * from {{ source('raw', 'erp_customers') }} as raw_rows
    {{ keys_loaded_since_last_build(source('raw', 'erp_customers'), ['debtor_id']) }}

),

latest as (

    {{ deduplicate_latest('source', ['debtor_id'], 'erp_customers', updated_at='updated_at') }}

),

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
