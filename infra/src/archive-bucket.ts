import { s3 } from "@pulumi/aws";
import {
  ComponentResource,
  type ComponentResourceOptions,
  interpolate,
  type Output,
} from "@pulumi/pulumi";
import { type PolicyStatement, policyDocument } from "./policy.js";
import type { StageSettings } from "./stage.js";

export interface ArchiveBucketArgs {
  stage: StageSettings;
  /** Object Lock in governance mode for this many days; 0 for none. Default: the stage's. */
  lockDays?: number;
}

/** Audit data cools quickly: Standard-IA after a month, Glacier after a quarter, Deep Archive after a year. */
export const archiveTransitions = [
  { days: 30, storageClass: "STANDARD_IA" },
  { days: 90, storageClass: "GLACIER" },
  { days: 365, storageClass: "DEEP_ARCHIVE" },
] as const;

/**
 * The bucket of the audit and TTL archives: encrypted (SSE-S3), private (public access blocked,
 * ACLs off), reachable over TLS 1.2+ only, tiered to colder storage over a year, and optionally
 * under Object Lock so an audit trail cannot be rewritten.
 */
export class ArchiveBucket extends ComponentResource {
  readonly bucket: s3.Bucket;
  readonly arn: Output<string>;
  readonly name: Output<string>;

  constructor(name: string, args: ArchiveBucketArgs, opts?: ComponentResourceOptions) {
    super("sluice:aws:ArchiveBucket", name, {}, opts);
    const { stage } = args;
    const lockDays = args.lockDays ?? stage.archiveLockDays;
    const parent = { parent: this };

    const bucket = new s3.Bucket(
      `${name}-bucket`,
      {
        // Object Lock can only be turned on when the bucket is created.
        objectLockEnabled: lockDays > 0,
        // Removable stages delete their archive with them; retained ones never do.
        forceDestroy: !stage.retain,
      },
      { ...parent, retainOnDelete: stage.retain },
    );
    new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      parent,
    );
    new s3.BucketPolicy(
      `${name}-policy`,
      { bucket: bucket.id, policy: tlsOnlyPolicy(bucket) },
      parent,
    );

    let versioning: s3.BucketVersioning | undefined;
    if (lockDays > 0) {
      versioning = new s3.BucketVersioning(
        `${name}-versioning`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        parent,
      );
      new s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket: bucket.id,
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: "GOVERNANCE", days: lockDays } },
        },
        { ...parent, dependsOn: [versioning] },
      );
    }
    new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "archive-tiers",
            status: "Enabled",
            filter: {},
            transitions: archiveTransitions.map((step) => ({ ...step })),
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            // A retried batch overwrites its object; the older copy goes once its lock has passed.
            ...(lockDays > 0 && { noncurrentVersionExpiration: { noncurrentDays: lockDays + 1 } }),
          },
        ],
      },
      // Noncurrent-version rules need versioning on first.
      { ...parent, dependsOn: versioning ? [versioning] : [] },
    );

    this.bucket = bucket;
    this.arn = bucket.arn;
    this.name = bucket.bucket;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}

function tlsOnlyPolicy(bucket: s3.Bucket) {
  const everything = [bucket.arn, interpolate`${bucket.arn}/*`];
  const statements: PolicyStatement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: everything,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyOutdatedTls",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: everything,
      Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
    },
  ];
  return policyDocument(statements);
}
