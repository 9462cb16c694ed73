//! Alarm history: recording items, DescribeAlarmHistory reads and retention.

use super::*;

impl AlarmStore {
    /// Records one history item (the server's alarm actions add `Action` items) in its own
    /// transaction.
    pub fn add_history(
        &self,
        account: &str,
        region: &str,
        item: HistoryItem,
    ) -> Result<(), AlarmsError> {
        let _w = self.write.lock();
        self.commit(Write {
            history: vec![(account, region, item)],
            ..Write::default()
        })
    }

    /// DescribeAlarmHistory for `(account, region)`.
    pub fn history(
        &self,
        account: &str,
        region: &str,
        q: &HistoryQuery,
    ) -> Result<(Vec<HistoryItem>, Option<String>), AlarmsError> {
        let offset: usize = match &q.next_token {
            Some(t) => t.parse().map_err(|_| {
                AlarmsError::InvalidNextToken("The service cannot find the token.".into())
            })?,
            None => 0,
        };
        let cutoff = self.clock.now_millis() - HISTORY_RETENTION_MS;
        let prefix = format!("{account}\n{region}\n");
        let lo = format!("{prefix}{:020}", cutoff.max(q.start_ms.unwrap_or(0)).max(0));
        let hi = format!("{prefix}~");
        let mut items = Vec::new();
        {
            let tx = self.catalog.db().begin_read().map_err(internal)?;
            let table = tx.open_table(HISTORY).map_err(internal)?;
            for row in table.range(lo.as_str()..hi.as_str()).map_err(internal)? {
                let (_, v) = row.map_err(internal)?;
                let item: HistoryItem = serde_json::from_slice(v.value()).map_err(internal)?;
                let type_wanted = if q.alarm_types.is_empty() {
                    item.alarm_type == "MetricAlarm"
                } else {
                    q.alarm_types.contains(&item.alarm_type)
                };
                if !type_wanted
                    || q.end_ms.is_some_and(|e| item.timestamp_ms > e)
                    || q.alarm_name.as_ref().is_some_and(|n| *n != item.alarm_name)
                    || q.item_type.is_some_and(|t| t != item.item_type)
                {
                    continue;
                }
                items.push(item);
            }
        }
        if !q.ascending {
            items.reverse();
        }
        let max = q.max_records.clamp(1, 100);
        if offset > items.len() {
            return Err(AlarmsError::InvalidNextToken(
                "The service cannot find the token.".into(),
            ));
        }
        let page: Vec<HistoryItem> = items.iter().skip(offset).take(max).cloned().collect();
        let next = (offset + page.len() < items.len()).then(|| (offset + page.len()).to_string());
        Ok((page, next))
    }

    /// Deletes history items older than two weeks. Returns how many were deleted.
    pub fn run_retention(&self) -> Result<usize, AlarmsError> {
        let cutoff = self.clock.now_millis() - HISTORY_RETENTION_MS;
        let tx = self.catalog.db().begin_write().map_err(internal)?;
        let mut deleted = 0;
        {
            let mut table = tx.open_table(HISTORY).map_err(internal)?;
            let mut old = Vec::new();
            for row in table.iter().map_err(internal)? {
                let (k, _) = row.map_err(internal)?;
                let key = k.value().to_owned();
                let ts = key.split('\n').nth(2).and_then(|t| t.parse::<i64>().ok());
                if ts.is_some_and(|t| t < cutoff) {
                    old.push(key);
                }
            }
            for k in old {
                table.remove(k.as_str()).map_err(internal)?;
                deleted += 1;
            }
        }
        tx.commit().map_err(internal)?;
        Ok(deleted)
    }
}

/// The `ConfigurationUpdate` history item of a Put: `Create` with the new configuration, or
/// `Update` with the `original` one and the new one.
pub(super) fn configuration_item(
    name: &str,
    alarm_type: &str,
    now: i64,
    original: Option<Value>,
    updated: Value,
) -> HistoryItem {
    let (summary, data) = match original {
        Some(original) => (
            format!("Alarm \"{name}\" updated"),
            json!({"version": "1.0", "type": "Update",
                "originalAlarm": original, "updatedAlarm": updated}),
        ),
        None => (
            format!("Alarm \"{name}\" created"),
            json!({"version": "1.0", "type": "Create", "createdAlarm": updated}),
        ),
    };
    HistoryItem {
        alarm_name: name.to_owned(),
        alarm_type: alarm_type.to_owned(),
        timestamp_ms: now,
        item_type: HistoryItemType::ConfigurationUpdate,
        summary,
        data: data.to_string(),
    }
}
