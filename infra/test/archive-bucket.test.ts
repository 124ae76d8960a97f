import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ArchiveBucket, stageSettings } from "../src/index.js";
import {
  mockPulumi,
  named,
  ofType,
  type RecordedResource,
  statementsOf,
} from "./support/pulumi-mocks.js";

const mocks = await mockPulumi(pulumi.runtime);

let recorded: RecordedResource[];
beforeAll(async () => {
  new ArchiveBucket("plain", { stage: stageSettings("dev") });
  new ArchiveBucket("locked", { stage: stageSettings("dev"), lockDays: 30 });
  recorded = await mocks.settled();
});

const input = (type: string, name: string) => named(recorded, type, name).inputs;
const bucketArn = "arn:aws:s3:::plain-bucket-a1b2c3";

describe("ArchiveBucket", () => {
  it("encrypts every object at rest with SSE-S3", () => {
    expect(
      input(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "plain-encryption",
      ),
    ).toEqual({
      bucket: "plain-bucket-a1b2c3",
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
  });

  it("blocks every kind of public access and turns ACLs off", () => {
    expect(
      input("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "plain-public-access"),
    ).toEqual({
      bucket: "plain-bucket-a1b2c3",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      input("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "plain-ownership").rule,
    ).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
  });

  it("refuses requests without TLS, or with TLS older than 1.2, on the bucket and its objects", () => {
    const statements = statementsOf(
      input("aws:s3/bucketPolicy:BucketPolicy", "plain-policy").policy,
    );
    expect(statements).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOutdatedTls",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      },
    ]);
  });

  it("moves objects to Standard-IA at 30 days, Glacier at 90 and Deep Archive at 365", () => {
    const [rule, ...others] = input(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "plain-lifecycle",
    ).rules;
    expect(others).toEqual([]);
    expect(rule).toMatchObject({
      status: "Enabled",
      filter: {},
      transitions: [
        { days: 30, storageClass: "STANDARD_IA" },
        { days: 90, storageClass: "GLACIER" },
        { days: 365, storageClass: "DEEP_ARCHIVE" },
      ],
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    });
    expect(rule.noncurrentVersionExpiration).toBeUndefined();
  });

  it("has no Object Lock unless asked", () => {
    expect(input("aws:s3/bucket:Bucket", "plain-bucket").objectLockEnabled).toBe(false);
    const lockNames = ofType(
      recorded,
      "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    ).map((resource) => resource.name);
    expect(lockNames).toEqual(["locked-object-lock"]);
  });

  it("with lockDays, locks objects in governance mode on a versioned bucket and expires old versions after the lock", () => {
    expect(input("aws:s3/bucket:Bucket", "locked-bucket").objectLockEnabled).toBe(true);
    expect(
      input("aws:s3/bucketVersioning:BucketVersioning", "locked-versioning")
        .versioningConfiguration,
    ).toEqual({
      status: "Enabled",
    });
    expect(
      input(
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "locked-object-lock",
      ),
    ).toMatchObject({
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
    });
    const [rule] = input(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "locked-lifecycle",
    ).rules;
    expect(rule.noncurrentVersionExpiration).toEqual({ noncurrentDays: 31 });
  });
});
