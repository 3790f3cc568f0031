-- Organisation scoping of MIS logins, append-only audit tables, and the login-throttle clean-up's index.
-- The table and index statements are drizzle-kit's (db/schema.ts); the rest is hand-written. The new
-- lrs.submit_request that checks the mapping is in db/functions/submit-request.sql, which
-- `lrs-relay migrate` applies after the migrations (docs/security.md "Organisation scoping of MIS logins").
CREATE TABLE "lrs"."mis_login" (
	"role_name" text NOT NULL,
	"organisation_id" integer NOT NULL,
	"granted_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mis_login_role_name_organisation_id_pk" PRIMARY KEY("role_name","organisation_id"),
	CONSTRAINT "mis_login_role_name" CHECK (char_length("lrs"."mis_login"."role_name") between 1 and 63)
);
--> statement-breakpoint
ALTER TABLE "lrs"."mis_login" ADD CONSTRAINT "mis_login_organisation_id_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "lrs"."organisation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "login_throttle_window_idx" ON "lrs"."login_throttle" USING btree ("window_start");
--> statement-breakpoint

-- Hand-written below this line.
-- The mapping is the schema owner's to change (`lrs-relay mis-login`): a support login that could write
-- it could widen what an MIS login reaches. Support staff may read it.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON lrs.mis_login FROM lrs_support, lrs_mis, PUBLIC;
--> statement-breakpoint

-- The organisations the current login may act for as an MIS: NULL when it is not limited (a superuser,
-- a member of the role that owns the lrs schema, which the relay's own processes run as, or of
-- lrs_support, which reads every table anyway), else the ids mapped to any role the login is a member
-- of (empty when none: such a login may do nothing). The login is session_user, the role that
-- authenticated: inside a SECURITY DEFINER function current_user is the function's owner, and SET ROLE
-- cannot change session_user, so a login cannot step out of its mapping. SECURITY DEFINER itself, to
-- read lrs.mis_login, which MIS logins may not.
CREATE OR REPLACE FUNCTION lrs.mis_scope() RETURNS integer[]
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, lrs, pg_temp
AS $fn$
  SELECT CASE
    WHEN r.rolsuper
      OR pg_catalog.pg_has_role(session_user, n.nspowner, 'MEMBER')
      OR pg_catalog.pg_has_role(session_user, 'lrs_support', 'MEMBER')
    THEN NULL
    ELSE coalesce(
      (SELECT pg_catalog.array_agg(DISTINCT m.organisation_id)
         FROM lrs.mis_login m
         JOIN pg_catalog.pg_roles g ON g.rolname = m.role_name
        WHERE pg_catalog.pg_has_role(session_user, g.oid, 'MEMBER')),
      '{}'::integer[])
  END
  FROM pg_catalog.pg_roles r, pg_catalog.pg_namespace n
  WHERE r.rolname = session_user AND n.nspname = 'lrs'
$fn$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION lrs.mis_scope() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION lrs.mis_scope() TO lrs_mis, lrs_support;
--> statement-breakpoint

-- lrs.learner_status as before, limited to the rows of the caller's organisations (all of them for the
-- relay, superusers and lrs_support). A security_barrier view, not row-level security: the MIS has no
-- right on the tables, the view reads them as its owner, and the owner is exempt from row-level security;
-- the barrier keeps a caller's own functions in a WHERE clause from seeing rows before this filter does.
-- The scope is computed once per query (the scalar subqueries), not once per row.
CREATE OR REPLACE VIEW lrs.learner_status WITH (security_barrier) AS
SELECT DISTINCT ON (r.organisation_id, r.mis_learner_id)
  r.organisation_id,
  o.ukprn,
  o.organisation_ref,
  r.mis_learner_id,
  r.id AS request_id,
  r.kind,
  r.status,
  r.last_code AS code,
  rc.class AS code_class,
  rc.meaning AS code_meaning,
  rc.resolution,
  oc.uln AS request_uln,
  oc.master_uln,
  (SELECT coalesce(oc2.master_uln, oc2.uln)
     FROM lrs.request r2
     JOIN lrs.outcome oc2 ON oc2.request_id = r2.id
    WHERE r2.organisation_id = r.organisation_id
      AND r2.mis_learner_id = r.mis_learner_id
      AND oc2.uln IS NOT NULL
      AND oc2.class = 'success'
    ORDER BY r2.id DESC
    LIMIT 1) AS uln,
  r.created_at,
  r.updated_at,
  r.completed_at
FROM lrs.request r
JOIN lrs.organisation o ON o.id = r.organisation_id
LEFT JOIN lrs.outcome oc ON oc.request_id = r.id
LEFT JOIN lrs.response_code rc ON rc.code = r.last_code
WHERE (SELECT lrs.mis_scope()) IS NULL OR r.organisation_id = ANY ((SELECT lrs.mis_scope())::integer[])
ORDER BY r.organisation_id, r.mis_learner_id, r.id DESC;
--> statement-breakpoint

-- Audit trails are append-only for everyone but the schema owner: 0005 took UPDATE and DELETE on
-- lrs.audit from lrs_support, but lrs.staff_audit (0006) got the default grants. TRUNCATE too, and from
-- every role the migrations create, so no grant made since can bring it back.
REVOKE UPDATE, DELETE, TRUNCATE ON lrs.audit, lrs.staff_audit FROM lrs_support, lrs_mis, PUBLIC;
