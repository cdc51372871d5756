package org.seqlab.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.rpc.RpcCallContext;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.rpc.ThreadSafeRpcEndpoint;
import org.apache.spark.util.RpcUtils;
import org.seqlab.experiments.sweep.StoppingRule;
import scala.PartialFunction;
import scala.PartialFunction$;
import scala.reflect.ClassTag$;
import scala.runtime.BoxedUnit;

/**
 * A sweep's stopping rule on Spark: the driver keeps it (as a local sweep does) and each task asks
 * it at every validation over Spark's own RPC, the channel Spark's barrier tasks use to reach their
 * coordinator (an internal API of Spark 3.5: the driver and the cluster must both run 3.5). The
 * verdict comes back at once, so a trial stops at the validation where a local sweep stops it.
 */
final class RuleEndpoint implements ThreadSafeRpcEndpoint {
    static final String NAME = "seqlab-sweep-stopping-rule";

    private final RpcEnv env;
    private final StoppingRule.Judge judge;

    private RuleEndpoint(RpcEnv env, StoppingRule.Judge judge) {
        this.env = env;
        this.judge = judge;
    }

    /** Serves {@code judge} from this driver to the tasks of its Spark context. */
    static void serve(SparkEnv driver, StoppingRule.Judge judge) {
        driver.rpcEnv().setupEndpoint(NAME, new RuleEndpoint(driver.rpcEnv(), judge));
    }

    /** On an executor: the driver's rule, asked once per validation (Spark's ask timeout, 120 s by default). */
    static StoppingRule.Judge fromExecutor() {
        SparkEnv env = SparkEnv.get();
        var driver = RpcUtils.makeDriverRef(NAME, env.conf(), env.rpcEnv());
        return v -> {
            String verdict = driver.askSync(v, ClassTag$.MODULE$.apply(String.class));
            return verdict.isEmpty() ? null : verdict;
        };
    }

    @Override
    public RpcEnv rpcEnv() {
        return env;
    }

    @Override
    public PartialFunction<Object, BoxedUnit> receiveAndReply(RpcCallContext context) {
        return PartialFunction$.MODULE$.fromFunction(message -> {
            if (message instanceof StoppingRule.Validation v) {
                String verdict = judge.judge(v);
                context.reply(verdict == null ? "" : verdict);
            } else context.sendFailure(new IllegalArgumentException("not a validation: " + message));
            return BoxedUnit.UNIT;
        });
    }
}
