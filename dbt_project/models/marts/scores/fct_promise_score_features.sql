{#- Point-in-time features and label of the promise-kept score (issue 19): one row per promise
    to pay (fct_promises) with a window (has_window: a promise replaced on the day it was made
    has none and is left out, as int_case_score_features leaves it out of the promises kept and
    broken), and the case's features as they stood at the end of the
    day before the promise was made (int_case_score_features, its promise eves: nothing of the
    promise's own day, neither its call nor a payment that day, nor anything later, is a
    feature). A promise made on the day its case opened, or while its case was closed, has no
    such row and is left out.
    scoring_date = made_at's date - 1.
    kept (the label) = the promise's outcome is `kept` (paid its amount less the tolerance in
    its window, the rule of fct_promises); null while the window is open at as_of (as_of <=
    window_end_date), even for a promise already met: every label is read once its window has
    closed, so the open windows do not lean towards the promises kept early.
    label_known_on = window_end_date + 1: the first as_of whose build sets the label (the
    time split keeps a promise in a slice only if it is known by the next slice's first date,
    amicable.scores.training; a case label's day is scoring_date + 30 or + 90 alike). -#}
with

promises as (

    select * from {{ ref('fct_promises') }}
    where has_window

),

features as (

    select * from {{ ref('int_case_score_features') }}

),

final as (

    select
        features.case_id,
        features.scoring_date,
        promises.promise_id,
        promises.made_at,
        promises.window_end_date,
        cast({{ dbt.dateadd('day', 1, 'promises.window_end_date') }} as date) as label_known_on,
        {{ score_feature_columns('features') }}
        case
            when promises.window_end_date < {{ as_of_date() }}
                then promises.outcome = 'kept'
        end as kept
    from promises
    inner join features
        on
            promises.case_id = features.case_id
            and features.scoring_date
            = cast({{ dbt.dateadd('day', -1, 'cast(promises.made_at as date)') }} as date)

)

select * from final
