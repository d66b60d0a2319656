{{ config(meta={'dagster': {'ref': {'name': 'fct_case_file'}}}) }}

{#- Every breach of fct_compliance_breaches is judged on exactly one record of its case's file
    (its offending record), and every evidence id it cites is a record of that file. Returns
    the breaches that break this. -#}
with

breaches as (

    select * from {{ ref('fct_compliance_breaches') }}

),

case_file as (

    select * from {{ ref('fct_case_file') }}

),

counted as (

    select
        breaches.breach_id,
        sum(
            case
                when {{ dbt.position(
                    dbt.concat(["', '", 'breaches.breach_id', "', '"]),
                    dbt.concat(["', '", 'case_file.breach_ids', "', '"])
                ) }} > 0 then 1
                else 0
            end
        ) as judged_records,
        sum(
            case
                when
                    case_file.record_kind in ('case_event', 'call', 'message')
                    and {{ dbt.position(
                        dbt.concat(["','", 'case_file.source_id', "','"]),
                        dbt.concat(["','", 'breaches.evidence_ids', "','"])
                    ) }} > 0
                    then 1
                else 0
            end
        ) as cited_records,
        {{ dbt.length('breaches.evidence_ids') }}
        - {{ dbt.length(dbt.replace('breaches.evidence_ids', "','", "''")) }} + 1 as evidence_count
    from breaches
    left join case_file on breaches.case_id = case_file.case_id
    group by breaches.breach_id, breaches.evidence_ids

),

final as (

    select breach_id
    from counted
    where judged_records <> 1 or cited_records <> evidence_count

)

select * from final
