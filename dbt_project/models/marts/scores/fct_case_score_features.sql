{#- Point-in-time features and labels of the case scores (issue 19): one row per case open at
    the end of a scoring date, the scoring dates being the ageing's snapshot dates (every month
    end, and as_of: int_ageing_snapshot_dates). The features are int_case_score_features' rows
    of those dates (every feature rule is there: each reads only facts dated on or before the
    scoring date); a label reads the days after it and is null until its window has closed by
    as_of.
    Labels: paid_within_30_days = a `closed` event with reason paid_in_full or plan_completed
    dated S + 1 to S + 30 (null when S + 30 is after as_of); referred_within_90_days = a
    referred_to_litigation event dated S + 1 to S + 90 (null when S + 90 is after as_of). -#}
with

features as (

    select * from {{ ref('int_case_score_features') }}
    where is_snapshot_date

),

events as (

    select * from {{ ref('stg_cases__case_events') }}
    where cast(occurred_at as date) <= {{ as_of_date() }}

),

paid_closures as (

    select
        case_id,
        cast(occurred_at as date) as closed_on
    from events
    where
        event_type = 'closed'
        and reason in ('paid_in_full', 'plan_completed')

),

referrals as (

    select
        case_id,
        cast(occurred_at as date) as referred_on
    from events
    where event_type = 'referred_to_litigation'

),

labels as (

    select
        features.case_id,
        features.scoring_date,
        max(
            case
                when
                    paid_closures.closed_on > features.scoring_date
                    and paid_closures.closed_on
                    <= {{ dbt.dateadd('day', 30, 'features.scoring_date') }}
                    then 1
                else 0
            end
        ) as paid_within_30_days,
        max(
            case
                when
                    referrals.referred_on > features.scoring_date
                    and referrals.referred_on
                    <= {{ dbt.dateadd('day', 90, 'features.scoring_date') }}
                    then 1
                else 0
            end
        ) as referred_within_90_days
    from features
    left join paid_closures
        on features.case_id = paid_closures.case_id
    left join referrals
        on features.case_id = referrals.case_id
    group by features.case_id, features.scoring_date

),

final as (

    select
        features.case_id,
        features.scoring_date,
        {{ score_feature_columns('features') }}
        case
            when
                {{ dbt.dateadd('day', 30, 'features.scoring_date') }}
                <= {{ as_of_date() }}
                then labels.paid_within_30_days = 1
        end as paid_within_30_days,
        case
            when
                {{ dbt.dateadd('day', 90, 'features.scoring_date') }}
                <= {{ as_of_date() }}
                then labels.referred_within_90_days = 1
        end as referred_within_90_days,
        features.is_as_of
    from features
    left join labels
        on
            features.case_id = labels.case_id
            and features.scoring_date = labels.scoring_date

)

select * from final
