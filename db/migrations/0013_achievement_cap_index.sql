-- An assembly pass looks up each organisation's achievement cap (half the smallest batch refused with WSEC0046);
-- this partial index holds only those refused batches, so the look-up does not read every batch kept.
CREATE INDEX "batch_too_many_idx" ON "lrs"."batch" USING btree ("organisation_id","record_count") WHERE kind = 'achievement' and last_code = 'WSEC0046';
