{{ config(unique_key='agent_id') }}
with

source as {{ raw_source_cte_hint() }} (

    select * from {{ source('raw', 'cases_agents') }} as raw_rows
    {{ keys_loaded_since_last_build(source('raw', 'cases_agents'), ['agent_id']) }}

),

latest as (

    {{ deduplicate_latest('source', ['agent_id'], 'cases_agents') }}

),

final as (

    select
        agent_id,
        name as agent_name,
        team,
        supervisor_id,
        cast(active_from as date) as active_from_date,
        cast(active_to as date) as active_to_date,
        _source_file,
        _source_row,
        _loaded_at,
        _batch_id
    from latest

)

select * from final
