//! Sign-in throttling, counted in the database (so that every instance
//! counts alike), with the clock given by each test.

use crate::helpers::*;
use crate::on_both_databases;
use app::server::throttle::{self, OWN_ADDRESS_MS};

const GUESSER: Option<&str> = Some("6.6.6.6");
const OWNER: Option<&str> = Some("1.2.3.4");

async fn check(app: &TestApp, account: &str, address: Option<&str>, now: i64) -> Result<(), u64> {
    throttle::check(&app.state.db, account, address, now)
        .await
        .expect("check")
}

async fn fail(app: &TestApp, account: &str, address: Option<&str>, now: i64) {
    throttle::record_failure(&app.state.db, account, address, now)
        .await
        .expect("record a failure");
}

async fn succeed(app: &TestApp, account: &str, address: Option<&str>, now: i64) {
    throttle::record_success(&app.state.db, account, address, now)
        .await
        .expect("record a success");
}

on_both_databases!(
    a_guesser_at_one_address_is_stopped_for_the_window,
    async |app: TestApp| {
        for second in 0..5 {
            let now = second * 60_000;
            assert!(check(&app, "ava", GUESSER, now).await.is_ok(), "{second}");
            fail(&app, "ava", GUESSER, now).await;
        }
        // The pair is held until the first failure ages out.
        assert_eq!(check(&app, "ava", GUESSER, 5 * 60_000).await, Err(600));
        assert_eq!(check(&app, "ava", GUESSER, 10 * 60_000).await, Err(300));
        assert!(check(&app, "ava", GUESSER, 15 * 60_000 + 1).await.is_ok());
        // Another account from that address is not held.
        assert!(check(&app, "ben", GUESSER, 5 * 60_000).await.is_ok());
    }
);

on_both_databases!(
    the_owner_gets_in_from_their_own_address_while_others_guess,
    async |app: TestApp| {
        succeed(&app, "ava", OWNER, 0).await;
        for n in 0..30 {
            fail(&app, "ava", Some(&format!("6.6.6.{n}")), 1_000).await;
        }
        assert!(check(&app, "ava", OWNER, 1_000).await.is_ok());
        assert!(check(&app, "ava", Some("7.7.7.7"), 1_000).await.is_err());
    }
);

on_both_databases!(
    guesses_spread_over_addresses_are_paused_longer_each_time,
    async |app: TestApp| {
        let mut now = 0;
        let mut pauses = Vec::new();
        for n in 0..12 {
            let address = format!("6.6.6.{n}");
            // Each guess comes as soon as it is let through.
            if let Err(seconds) = check(&app, "ava", Some(&address), now).await {
                pauses.push(seconds);
                now += i64::try_from(seconds).unwrap() * 1000;
            }
            assert!(check(&app, "ava", Some(&address), now).await.is_ok());
            fail(&app, "ava", Some(&address), now).await;
        }
        assert_eq!(pauses, vec![1, 2, 4, 8, 16, 32, 60]);
        // A new address (the owner travelling) waits one pause, no more.
        assert_eq!(check(&app, "ava", Some("1.1.1.1"), now).await, Err(60));
        assert!(
            check(&app, "ava", Some("1.1.1.1"), now + 60_000)
                .await
                .is_ok()
        );
    }
);

on_both_databases!(
    a_busy_address_slows_down_but_its_own_accounts_still_get_in,
    async |app: TestApp| {
        succeed(&app, "root", Some("9.9.9.9"), 0).await;
        for n in 0..20 {
            fail(&app, &format!("user{n}"), Some("9.9.9.9"), 1_000).await;
        }
        assert_eq!(check(&app, "someone", Some("9.9.9.9"), 1_000).await, Err(1));
        assert!(check(&app, "someone", Some("9.9.9.9"), 2_000).await.is_ok());
        assert!(check(&app, "root", Some("9.9.9.9"), 1_000).await.is_ok());
        assert!(check(&app, "someone", Some("8.8.8.8"), 1_000).await.is_ok());
    }
);

on_both_databases!(
    own_addresses_and_old_failures_are_forgotten_in_time,
    async |app: TestApp| {
        succeed(&app, "ava", OWNER, 0).await;
        let later = OWN_ADDRESS_MS + 1;
        for n in 0..6 {
            fail(&app, "ava", Some(&format!("6.6.6.{n}")), later).await;
        }
        assert!(check(&app, "ava", OWNER, later).await.is_err());
        throttle::forget_old(&app.state.db, later + throttle::WINDOW_MS)
            .await
            .expect("forget");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM login_failures").await, 0);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM login_own_addresses").await,
            0
        );
    }
);

on_both_databases!(
    two_instances_on_one_database_count_the_same_failures,
    async |app: TestApp| {
        // A second portal process on the same database, as behind a load
        // balancer: guesses spread over both are stopped as one.
        let other = app.other_instance().await;
        let guesser = app.anonymous();
        let other_guesser = other.anonymous();
        let wrong = serde_json::json!({"email": "ava@acme.test", "password": "wrong-password"});
        for attempt in 0..5 {
            let (instance, client) = if attempt % 2 == 0 {
                (&app, &guesser)
            } else {
                (&other, &other_guesser)
            };
            let response = instance.sign_in(client, wrong.clone()).await;
            assert_eq!(
                response.status(),
                reqwest::StatusCode::UNAUTHORIZED,
                "{attempt}"
            );
        }
        for (instance, client) in [(&app, &guesser), (&other, &other_guesser)] {
            let response = instance.sign_in(client, wrong.clone()).await;
            assert_eq!(response.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
        }
    }
);
