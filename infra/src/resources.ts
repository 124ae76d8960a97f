import type { Input } from "@pulumi/pulumi";

export interface NamedResource {
  arn: Input<string>;
  name: Input<string>;
}

export interface SearchDomainResource {
  /** https://... */
  url: Input<string>;
  /** The Secrets Manager secret with the master user's credentials. */
  credentialsSecretArn: Input<string>;
}

/** Resources subscribers may `need`, made outside the pipeline; the checkpoint table is its own. */
export interface PipelineResources {
  archiveBucket?: NamedResource;
  searchDomain?: SearchDomainResource;
  eventBus?: NamedResource;
  aggregatesTable?: NamedResource;
}
