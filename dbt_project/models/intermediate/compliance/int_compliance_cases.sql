{#- Every case with what its compliance rules need (DESIGN.md §5): the rule pack its
    jurisdiction selects (null when no pack lists it: the error-severity test
    compliance_jurisdiction_resolved fails), the debtor's segment and IANA time zone (known only
    when the warehouse knows the name), and whether the debtor's personal data is still held. -#}
{%- set packs = compliance_rule_packs() -%}
with

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

time_zones as (

    select zone_names.name as time_zone from {{ compliance_time_zone_names() }} as zone_names

),

final as (

    select
        cases.case_id,
        cases.debtor_id,
        cases.agent_id,
        cases.jurisdiction,
        case
            {%- for code, pack in packs.jurisdictions.items() %}
            when cases.jurisdiction = '{{ code }}' then '{{ pack }}'
            {%- endfor %}
            else cast(null as {{ dbt.type_string() }})
        end as rule_pack,
        customers.segment,
        customers.country_code,
        customers.timezone as time_zone,
        case when time_zones.time_zone is not null then true else false end
            as has_known_time_zone,
        case
            when
                customers.debtor_name is not null
                or customers.email is not null
                or customers.phone is not null
                then true
            else false
        end as has_personal_data
    from cases
    left join customers on cases.debtor_id = customers.debtor_id
    left join time_zones on customers.timezone = time_zones.time_zone

)

select * from final
