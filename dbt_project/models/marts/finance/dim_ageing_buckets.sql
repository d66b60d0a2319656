{#- The ageing buckets, one row per bucket in order (macro finance_ageing_buckets, the one home
    of the boundaries the marts' finance_ageing_bucket applies): the days past due each holds,
    from min_days_past_due to max_days_past_due (both included; null: open-ended). Lets a
    reader bucket days past due at any date exactly as the marts do (the dashboards' ageing at
    any date). -#}
{%- set buckets = finance_ageing_buckets() %}
with

buckets as (

    {%- for label, last_day in buckets %}

    select
        '{{ label }}' as ageing_bucket,
        {{ loop.index }} as bucket_order,
        {{ 'null' if loop.first else buckets[loop.index0 - 1][1] + 1 }} as min_days_past_due,
        {{ 'null' if last_day is none else last_day }} as max_days_past_due
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        cast(ageing_bucket as {{ dbt.type_string() }}) as ageing_bucket,
        cast(bucket_order as {{ dbt.type_int() }}) as bucket_order,
        cast(min_days_past_due as {{ dbt.type_int() }}) as min_days_past_due,
        cast(max_days_past_due as {{ dbt.type_int() }}) as max_days_past_due
    from buckets

)

select * from final
