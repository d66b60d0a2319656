{{ config(unique_key='agent_id') }}
with

{{ staging_latest('cases_agents', ['agent_id']) }},

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
