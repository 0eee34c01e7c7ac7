CREATE TABLE "stripe_request_budget" (
	"slot" bigint PRIMARY KEY NOT NULL,
	"used" integer NOT NULL
);
