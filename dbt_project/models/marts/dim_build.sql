{#- The build's context, one row: what every consumer reads instead of re-deriving it (the
    checks, the dashboard, the case file). All from the orchestrator (`build_value`: a var of
    that name, else its environment): as_of, always passed (amicable.settings.today(), UTC,
    unless --as-of); run_id (the Dagster run; null when dbt is run by hand); build_fingerprint
    and full_refresh_reason (orchestration/incremental.py: when a build may be incremental). -#}
{%- set run_id = build_value('run_id', '') -%}
{%- set fingerprint = build_value('build_fingerprint', '') -%}
{%- set reason = build_value('full_refresh_reason', '') -%}

with

final as (

    select
        {{ as_of_date() }} as as_of_date,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(nullif('{{ run_id }}', '') as {{ dbt.type_string() }}) as run_id,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as dbt_invocation_id,
        cast(
            '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}
        ) as built_at,
        cast(nullif('{{ fingerprint }}', '') as {{ dbt.type_string() }}) as build_fingerprint,
        cast(
            '{{ reason | replace("'", "''") }}' as {{ dbt.type_string() }}
        ) as full_refresh_reason

)

select * from final
