import type { SearchDomainResource, StageSettings } from "../src/index";

/**
 * The search domain (`sst.aws.OpenSearch`: encrypted at rest and between nodes, HTTPS only,
 * fine-grained access control with a master user). Its access policy names the domain instead of
 * "*"; the principal stays "*" because requests authenticate as the master user, not with IAM.
 */
export function searchDomain(
  name: string,
  stage: StageSettings,
): { search: sst.aws.OpenSearch; resource: SearchDomainResource } {
  const account = aws.getCallerIdentityOutput({}).accountId;
  const region = aws.getRegionOutput({}).region;
  const partition = aws.getPartitionOutput({}).partition;
  const search = new sst.aws.OpenSearch(name, {
    instance: stage.search.instance,
    storage: `${stage.search.storageGb} GB`,
    transform: {
      policy: (args) => {
        args.accessPolicies = $jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "*" },
              Action: [
                "es:ESHttpGet",
                "es:ESHttpHead",
                "es:ESHttpPost",
                "es:ESHttpPut",
                "es:ESHttpDelete",
              ],
              Resource: $interpolate`arn:${partition}:es:${region}:${account}:domain/${args.domainName}/*`,
            },
          ],
        });
      },
    },
  });
  const domain = search.nodes.domain;
  if (!domain) throw new Error(`OpenSearch "${name}" has no domain: do not set its dev option.`);
  return {
    search,
    resource: {
      url: search.url,
      // SST keeps the master user's credentials in a secret and tags the domain with its ARN.
      credentialsSecretArn: domain.tags.apply((tags) => {
        const arn = tags?.["sst:ref:password"];
        if (!arn)
          throw new Error(`OpenSearch "${name}" lost its sst:ref:password tag; redeploy it.`);
        return arn;
      }),
    },
  };
}
