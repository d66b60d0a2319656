{#- The DSO family per month × segment (DESIGN.md §4's grain and key): the one-month periods of
    fct_dso_periods, which also holds the rolling three months. -#}
select * from {{ ref('fct_dso_periods') }}
where period_months = 1
