/** What differs between stages. Production keeps its data and pages someone; the rest is cheap. */
export interface StageSettings {
  readonly stage: string;
  /** Keep tables, buckets and the dead-letter queue when the stage is removed or replaced. */
  readonly retain: boolean;
  /** Send alarm state changes to an SNS topic (subscribe the on-call to it). */
  readonly alarmTopic: boolean;
  readonly logRetentionDays: number;
  /** Object Lock on the audit archive, days of governance-mode retention; 0 for none. */
  readonly archiveLockDays: number;
  /** The search domain's single data node. */
  readonly search: { readonly instance: string; readonly storageGb: number };
}

const production: Omit<StageSettings, "stage"> = {
  retain: true,
  alarmTopic: true,
  logRetentionDays: 90,
  archiveLockDays: 365,
  search: { instance: "m7g.large", storageGb: 50 },
};

const removable: Omit<StageSettings, "stage"> = {
  retain: false,
  alarmTopic: false,
  logRetentionDays: 7,
  archiveLockDays: 0,
  search: { instance: "t3.small", storageGb: 10 },
};

/** Settings of a stage (`$app.stage`): "production" is production, every other stage is removable. */
export function stageSettings(stage: string): StageSettings {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(stage)) {
    throw new Error(
      `Stage "${stage}" must be letters, digits and hyphens: pass --stage dev, staging or production.`,
    );
  }
  return { stage, ...(stage === "production" ? production : removable) };
}
