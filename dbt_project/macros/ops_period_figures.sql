{#- Duration figures over every period of consecutive months: for each group of `cells` (the
    columns `keys`) and each period of `periods` (first_number <= last_number, month numbers),
    the moves whose month_number lies in the period: moves (count), cases (distinct case_id),
    median_days and p90_days (continuous percentiles of duration_days, as macro ops_percentile)
    and total_seconds (the sum of duration_seconds, exact, for a mean that does not depend on
    the order of a floating-point sum). A period in which the group has no move gives no row.
    `cells` holds keys, case_id, month_number, duration_days and duration_seconds; the result
    holds keys, first_number, last_number and the figures (unrounded). Percentiles do not add
    up across months, so each period is computed on its own moves. Dispatched (amicable
    namespace). -#}
{% macro ops_period_figures(cells, periods, keys) -%}
    {{ return(adapter.dispatch('ops_period_figures', 'amicable')(cells, periods, keys)) }}
{%- endmacro %}

{#- DuckDB (the default warehouse): one window over each group's moves in month order, with one
    probe row per period placed at the period's last month whose frame reaches back to its
    first month (a frame bound per row: frame_reach = last_number - first_number); each move is
    read once per group instead of once per period containing it. Probes carry no duration and
    no case, so they count for nothing. Only the probes' frames are read, so a move's own row
    gets an empty frame (it ends one month before it starts: frame_end 1 preceding): otherwise
    every move would compute the percentiles of its whole month for nothing, most of the
    model's time. -#}
{% macro default__ops_period_figures(cells, periods, keys) -%}
    {%- set key_list = keys | join(', ') -%}
    select *
    from (
        select
            {{ key_list }},
            first_number,
            month_number as last_number,
            count(duration_days) over period_frame as moves,
            count(distinct case_id) over period_frame as cases,
            quantile_cont(duration_days, 0.5) over period_frame as median_days,
            quantile_cont(duration_days, 0.9) over period_frame as p90_days,
            sum(duration_seconds) over period_frame as total_seconds
        from (
            select
                {{ key_list }},
                case_id,
                month_number,
                duration_days,
                duration_seconds,
                cast(null as bigint) as first_number,
                cast(0 as bigint) as frame_reach,
                cast(1 as bigint) as frame_end
            from {{ cells }}
            union all
            select
                {%- for key in keys %}
                cell_keys.{{ key }},
                {%- endfor %}
                cast(null as {{ dbt.type_string() }}) as case_id,
                period_list.last_number as month_number,
                cast(null as double) as duration_days,
                cast(null as bigint) as duration_seconds,
                period_list.first_number,
                period_list.last_number - period_list.first_number as frame_reach,
                cast(0 as bigint) as frame_end
            from (select distinct {{ key_list }} from {{ cells }}) as cell_keys
            cross join {{ periods }} as period_list
        ) as probed
        window period_frame as (
            partition by {{ key_list }}
            order by month_number
            range between frame_reach preceding and frame_end preceding
        )
    ) as figures
    where first_number is not null and moves > 0
{%- endmacro %}

{#- Postgres has no percentile window function: each move joins every period containing it. -#}
{% macro postgres__ops_period_figures(cells, periods, keys) -%}
    select
        {%- for key in keys %}
        cells.{{ key }},
        {%- endfor %}
        period_list.first_number,
        period_list.last_number,
        count(*) as moves,
        count(distinct cells.case_id) as cases,
        {{ ops_percentile('cells.duration_days', 0.5) }} as median_days,
        {{ ops_percentile('cells.duration_days', 0.9) }} as p90_days,
        sum(cells.duration_seconds) as total_seconds
    from {{ cells }} as cells
    inner join {{ periods }} as period_list
        on cells.month_number between period_list.first_number and period_list.last_number
    group by
        {%- for key in keys %}
        cells.{{ key }},
        {%- endfor %}
        period_list.first_number,
        period_list.last_number
{%- endmacro %}
