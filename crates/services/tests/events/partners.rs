//! Partner event sources through the pipeline (the test account acts as partner and customer).

use super::*;

const SOURCE: &str = "aws.partner/example.com/42/orders";

#[tokio::test]
async fn partner_event_source_operations() {
    let f = fixture();
    let c = f
        .ok(
            "CreatePartnerEventSource",
            json!({"Name": SOURCE, "Account": TEST_ACCOUNT}),
        )
        .await;
    let arn = format!("arn:aws:events:us-east-1::event-source/{SOURCE}");
    assert_eq!(c["EventSourceArn"], arn.as_str());
    assert_eq!(
        f.err(
            "CreatePartnerEventSource",
            json!({"Name": "aws.partner/x", "Account": TEST_ACCOUNT})
        )
        .await
        .0,
        "ValidationException"
    );
    let listed = f
        .ok(
            "ListPartnerEventSources",
            json!({"NamePrefix": "aws.partner/example.com"}),
        )
        .await;
    assert_eq!(listed["PartnerEventSources"][0]["Name"], SOURCE);
    assert_eq!(
        f.ok("DescribePartnerEventSource", json!({"Name": SOURCE}))
            .await["Arn"],
        arn.as_str()
    );
    let accounts = f
        .ok(
            "ListPartnerEventSourceAccounts",
            json!({"EventSourceName": SOURCE}),
        )
        .await;
    assert_eq!(
        accounts["PartnerEventSourceAccounts"][0]["Account"],
        TEST_ACCOUNT
    );
    assert_eq!(
        accounts["PartnerEventSourceAccounts"][0]["State"],
        "PENDING"
    );

    let d = f.ok("DescribeEventSource", json!({"Name": SOURCE})).await;
    assert_eq!(d["State"], "PENDING");
    assert_eq!(d["CreatedBy"], "example.com");
    assert!(d["CreationTime"].is_number());
    assert_eq!(
        f.err("DeactivateEventSource", json!({"Name": SOURCE}))
            .await
            .0,
        "InvalidStateException"
    );

    // The partner bus activates the source and gets the partner's events.
    let bus = f
        .ok(
            "CreateEventBus",
            json!({"Name": SOURCE, "EventSourceName": SOURCE}),
        )
        .await;
    assert_eq!(
        bus["EventBusArn"],
        format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/{SOURCE}")
    );
    let sources = f.ok("ListEventSources", json!({})).await;
    assert_eq!(sources["EventSources"][0]["State"], "ACTIVE");
    f.ok(
        "PutRule",
        json!({"Name": "p", "EventBusName": SOURCE,
               "EventPattern": "{\"detail-type\":[\"Order\"]}"}),
    )
    .await;
    let log = format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:partner");
    let put = f
        .client
        .json(
            Service::Events,
            "PutTargets",
            json!({"Rule": "p", "EventBusName": SOURCE, "Targets": [{"Id": "l", "Arn": log}]}),
        )
        .await
        .json();
    // No log-group sink in this fixture: the target is refused, which is enough to show the
    // rule exists on the partner bus.
    assert_eq!(put["FailedEntryCount"], 1, "{put}");
    let r = f
        .ok(
            "PutPartnerEvents",
            json!({"Entries": [
                {"Source": SOURCE, "DetailType": "Order", "Detail": "{\"id\":1}"},
                {"Source": "aws.partner/example.com/42/nope", "DetailType": "Order", "Detail": "{}"},
                {"Source": SOURCE, "DetailType": "Order"}]}),
        )
        .await;
    assert_eq!(r["FailedEntryCount"], 2, "{r}");
    assert!(r["Entries"][0]["EventId"].is_string());
    assert_eq!(
        r["Entries"][1]["ErrorCode"],
        "NotAuthorizedForSourceException"
    );
    assert_eq!(r["Entries"][2]["ErrorCode"], "InvalidArgument");
    let too_many: Vec<Value> = (0..21)
        .map(|_| json!({"Source": SOURCE, "DetailType": "Order", "Detail": "{}"}))
        .collect();
    assert_eq!(
        f.err("PutPartnerEvents", json!({"Entries": too_many}))
            .await
            .0,
        "ValidationException"
    );

    f.ok("DeactivateEventSource", json!({"Name": SOURCE})).await;
    assert_eq!(
        f.ok("DescribeEventSource", json!({"Name": SOURCE})).await["State"],
        "PENDING"
    );
    f.ok("ActivateEventSource", json!({"Name": SOURCE})).await;
    f.ok(
        "DeletePartnerEventSource",
        json!({"Name": SOURCE, "Account": TEST_ACCOUNT}),
    )
    .await;
    assert_eq!(
        f.err("DescribeEventSource", json!({"Name": SOURCE}))
            .await
            .0,
        "ResourceNotFoundException"
    );
}
