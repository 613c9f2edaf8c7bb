-- 0025_quota_admissions: the quota admission of issue #14 as one function, so a batch of sends is admitted
-- in ONE statement (and, on the send path, in the same statement as the INSERT of their `sending` rows:
-- one round trip and one commit for the batch instead of a transaction of many).

-- Admits requests in array order: request i asks for counts[i] messages of users[i] in the UTC day days[i]
-- and month months[i] (the first day of the month), all or none of them, exactly as the conditional upsert did one request at a time (a
-- later request of the same user sees the counts of the earlier ones). Returns a row per admitted request
-- (ord = i) with the counters it leaves; a refused request returns none and counts nothing. Callers pass
-- the requests sorted by user, so concurrent batches lock the users' rows in one order.
CREATE FUNCTION taguato.admit_quota(users bigint[], counts integer[], days date[], months date[])
RETURNS TABLE (ord integer, daily_limit integer, monthly_limit integer, day_used integer, month_used integer,
               day_warned text, month_warned text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  FOR i IN 1 .. coalesce(array_length(users, 1), 0) LOOP
    RETURN QUERY
      INSERT INTO taguato.user_quotas AS q (user_id, day, day_used, month, month_used)
      VALUES (users[i], days[i], counts[i], months[i], counts[i])
      ON CONFLICT (user_id) DO UPDATE SET
        day_used = CASE WHEN q.day = days[i] THEN q.day_used ELSE 0 END + counts[i], day = days[i],
        month_used = CASE WHEN q.month = months[i] THEN q.month_used ELSE 0 END + counts[i], month = months[i],
        updated_at = now()
      WHERE (q.daily_limit IS NULL
             OR CASE WHEN q.day = days[i] THEN q.day_used ELSE 0 END + counts[i] <= q.daily_limit)
        AND (q.monthly_limit IS NULL
             OR CASE WHEN q.month = months[i] THEN q.month_used ELSE 0 END + counts[i] <= q.monthly_limit)
      RETURNING i, q.daily_limit, q.monthly_limit, q.day_used, q.month_used,
        to_char(q.day_warned, 'YYYY-MM-DD'), to_char(q.month_warned, 'YYYY-MM-DD');
  END LOOP;
END $$;
