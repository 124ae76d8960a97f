import { AuditArchiveError } from "./errors.js";

export interface AthenaTableOptions {
  /** Glue database. */
  database: string;
  /** Athena table to create. */
  table: string;
  /** One DynamoDB table's folder in the archive: `s3://BUCKET/PREFIX/table=NAME/`. */
  location: string;
  /** First day partition projection covers, YYYY-MM-DD. Default 2020-01-01. */
  firstDay?: string;
}

const NAME = /^[A-Za-z0-9_]+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function invalid(message: string): AuditArchiveError {
  return new AuditArchiveError("INVALID_OPTION", message);
}

/**
 * CREATE EXTERNAL TABLE for Athena over the archive (OpenX JSON SerDe). Partition projection on
 * `dt` and `hour` maps each partition to its folder, so no MSCK REPAIR and no crawler is needed.
 * Images are JSON text columns: query them with `json_extract_scalar(newimage, '$.status')`.
 */
export function athenaTableDdl(options: AthenaTableOptions): string {
  const { database, table } = options;
  const firstDay = options.firstDay ?? "2020-01-01";
  if (!NAME.test(database)) throw invalid(`database "${database}": letters, digits and _ only`);
  if (!NAME.test(table)) throw invalid(`table "${table}": letters, digits and _ only`);
  if (!DAY.test(firstDay)) throw invalid(`firstDay "${firstDay}": YYYY-MM-DD`);
  if (!options.location.startsWith("s3://") || options.location.includes("'")) {
    throw invalid(`location "${options.location}": s3://BUCKET/PREFIX/table=NAME/`);
  }
  const location = options.location.endsWith("/") ? options.location : `${options.location}/`;
  return `CREATE EXTERNAL TABLE IF NOT EXISTS \`${database}\`.\`${table}\` (
  \`v\` int,
  \`kind\` string,
  \`keys\` map<string,string>,
  \`oldimage\` string,
  \`newimage\` string,
  \`meta\` struct<
    eventid: string,
    eventname: string,
    sequencenumber: string,
    tablename: string,
    region: string,
    approximatecreationtime: string,
    sizebytes: bigint,
    viewtype: string,
    streamarn: string,
    shardid: string,
    cause: string
  >,
  \`types\` string
)
PARTITIONED BY (\`dt\` string, \`hour\` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION '${location}'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '${firstDay},NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = '${location}dt=\${dt}/hour=\${hour}/'
)`;
}
