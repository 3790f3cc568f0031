-- The planner's statistics follow the night. A night changes the mix of statuses (hundreds of thousands of
-- requests pending, then batched, in lrs.request; thousands of batches assembled and submitting in
-- lrs.batch), while by default autoanalyze waits until a tenth of the table has changed: on a year-old
-- lrs.request, a million rows. Until then the planner believes no request is batched and no batch is
-- assembled, and may serve a look-up by status rather than by id. Analysing after 1 % of the rows have
-- changed costs one sample of 30,000 rows each time (docs/deployment.md has the figures).
ALTER TABLE "lrs"."request" SET (autovacuum_analyze_scale_factor = 0.01);--> statement-breakpoint
ALTER TABLE "lrs"."batch" SET (autovacuum_analyze_scale_factor = 0.01);
