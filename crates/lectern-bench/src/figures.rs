//! The delivery figures that the lecture and many-rooms scenarios both
//! report: latency, failures, the server's CPU time and memory, the
//! generator's CPU time, and the CPU placement.

/// The delivery figures of one system in one run. Each scenario's result
/// includes them with `#[serde(flatten)]`, so in the results file they are
/// plain fields of the system, in this order. Fields are `None` when they
/// could not be measured, such as server figures without a process id.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryFigures {
    /// Delivery latency from just before the writer's send to the reader's
    /// receive, nearest-rank percentiles over every (update, reader) pair,
    /// in ms.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub disconnects: u64,
    pub errors: u64,
    /// Server user plus system CPU time in the measured window.
    pub server_cpu_seconds: Option<f64>,
    /// `server_cpu_seconds` over the window's wall-clock time, in percent
    /// of one core.
    pub server_cpu_percent: Option<f64>,
    /// `server_cpu_seconds` over the result's `updates_delivered`, in
    /// microseconds.
    pub server_cpu_us_per_delivery: Option<f64>,
    /// The load generator's own CPU time in the window, in percent of one
    /// core. Near 100 % the generator, not the server, limits the figures.
    pub generator_cpu_percent: Option<f64>,
    /// The server's peak resident set size (VmHWM) at the end, in MiB.
    pub peak_rss_mib: Option<f64>,
    /// Growth of the server's resident set from no reader to every reader
    /// connected and idle, divided by the readers, in KiB. With several
    /// rooms it includes each room's own state, spread over its readers.
    pub rss_per_connection_kib: Option<f64>,
    /// CPU placement of the server and the generator, or the reason they
    /// were not pinned.
    pub pinning: String,
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use serde::de::{IgnoredAny, MapAccess, Visitor};

    use super::*;
    use crate::{lecture, many_rooms};

    /// The keys of a JSON object in the order they appear.
    struct OrderedKeys(Vec<String>);

    impl<'de> serde::Deserialize<'de> for OrderedKeys {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeysVisitor;

            impl<'de> Visitor<'de> for KeysVisitor {
                type Value = OrderedKeys;

                fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                    formatter.write_str("a JSON object")
                }

                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedKeys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((key, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                        keys.push(key);
                    }
                    Ok(OrderedKeys(keys))
                }
            }

            deserializer.deserialize_map(KeysVisitor)
        }
    }

    fn keys_in_order(value: &impl serde::Serialize) -> Vec<String> {
        let text = serde_json::to_string(value).expect("serializes");
        let OrderedKeys(keys) = serde_json::from_str(&text).expect("a JSON object");
        keys
    }

    fn figures() -> DeliveryFigures {
        DeliveryFigures {
            p50_ms: Some(1.0),
            p99_ms: Some(2.0),
            max_ms: Some(3.0),
            disconnects: 0,
            errors: 0,
            server_cpu_seconds: Some(0.5),
            server_cpu_percent: Some(25.0),
            server_cpu_us_per_delivery: Some(10.0),
            generator_cpu_percent: Some(5.0),
            peak_rss_mib: Some(30.0),
            rss_per_connection_kib: None,
            pinning: "not pinned: test".to_owned(),
        }
    }

    #[test]
    fn lecture_result_keeps_field_order() {
        let result = lecture::SystemResult {
            system: "lectern".to_owned(),
            version: "0.1.0".to_owned(),
            readers: 20,
            rate_per_second: 60,
            warm_up_seconds: 0.5,
            measured_seconds: 2.0,
            updates_sent: 120,
            updates_expected: 2_400,
            updates_delivered: 2_400,
            figures: figures(),
            repeats: None,
        };
        let expected = [
            "system",
            "version",
            "readers",
            "rate_per_second",
            "warm_up_seconds",
            "measured_seconds",
            "updates_sent",
            "updates_expected",
            "updates_delivered",
            "p50_ms",
            "p99_ms",
            "max_ms",
            "disconnects",
            "errors",
            "server_cpu_seconds",
            "server_cpu_percent",
            "server_cpu_us_per_delivery",
            "generator_cpu_percent",
            "peak_rss_mib",
            "rss_per_connection_kib",
            "pinning",
        ];
        assert_eq!(keys_in_order(&result), expected);
    }

    #[test]
    fn many_rooms_result_keeps_field_order() {
        let result = many_rooms::SystemResult {
            system: "lectern".to_owned(),
            version: "0.1.0".to_owned(),
            rooms: 10,
            clients_per_room: 5,
            readers_connected: 40,
            writers_connected: 10,
            rate_per_second: 10,
            warm_up_seconds: 1.0,
            measured_seconds: 2.0,
            updates_sent: 200,
            updates_expected: 800,
            updates_delivered: 800,
            rooms_incomplete: 0,
            figures: figures(),
            repeats: None,
        };
        let expected = [
            "system",
            "version",
            "rooms",
            "clients_per_room",
            "readers_connected",
            "writers_connected",
            "rate_per_second",
            "warm_up_seconds",
            "measured_seconds",
            "updates_sent",
            "updates_expected",
            "updates_delivered",
            "rooms_incomplete",
            "p50_ms",
            "p99_ms",
            "max_ms",
            "disconnects",
            "errors",
            "server_cpu_seconds",
            "server_cpu_percent",
            "server_cpu_us_per_delivery",
            "generator_cpu_percent",
            "peak_rss_mib",
            "rss_per_connection_kib",
            "pinning",
        ];
        assert_eq!(keys_in_order(&result), expected);
    }

    #[test]
    fn absent_figures_serialize_as_null() {
        let mut absent = figures();
        absent.p50_ms = None;
        let value = serde_json::to_value(&absent).expect("serializes");
        assert_eq!(value.get("p50_ms"), Some(&serde_json::Value::Null));
        assert_eq!(
            value.get("rss_per_connection_kib"),
            Some(&serde_json::Value::Null)
        );
    }
}
