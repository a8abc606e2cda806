// Child-process entry for a kafkajs group member the test can kill -9 (so it dies without a
// LeaveGroup): reads MemberOptions as JSON from argv[2], writes each MemberEvent as a JSON line.
import { runKafkajsMember, type MemberOptions } from './kafkajs-group-member.js';

const opts = JSON.parse(process.argv[2]!) as MemberOptions;
const member = await runKafkajsMember(opts, (e) => process.stdout.write(JSON.stringify(e) + '\n'));
process.once('SIGTERM', () => {
  void member.stop().then(() => process.exit(0));
});
