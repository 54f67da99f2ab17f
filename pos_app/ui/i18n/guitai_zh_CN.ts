<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../customer_display.py" line="17" />
        <source>Customer display</source>
        <translation>客显</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="27" />
        <location filename="../customer_display.py" line="94" />
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="33" />
        <location filename="../customer_display.py" line="91" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="46" />
        <source>Scan for your e-receipt</source>
        <translation>扫码查看电子小票</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="101" />
        <source>Change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="102" />
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="69" />
        <source>Guitai till</source>
        <translation>柜台收银</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="81" />
        <source>Till %1</source>
        <translation>%1 号收银台</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="92" />
        <source>Sign out</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="131" />
        <source>Cashier %1</source>
        <translation>收银员 %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="159" />
        <source>Shift open. Happy selling!</source>
        <translation>已开班，祝生意兴隆！</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="293" />
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="295" />
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="296" />
        <source>PIN</source>
        <translation>PIN 密码</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="297" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="301" />
        <source>Approve</source>
        <translation>授权</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="302" />
        <location filename="../main_window.py" line="335" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="308" />
        <source>Manager, PIN and reason are all needed.</source>
        <translation>请填写店长、PIN 和原因。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="330" />
        <source>Reprint a receipt</source>
        <translation>重印小票</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="333" />
        <source>No receipts yet.</source>
        <translation>还没有小票。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="334" />
        <source>Reprint</source>
        <translation>重印</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="347" />
        <source>Receipt %1 reprinted.</source>
        <translation>小票 %1 已重印。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="352" />
        <source>Receipt %1 (no printer configured)</source>
        <translation>小票 %1（未配置打印机）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="354" />
        <location filename="../main_window.py" line="368" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="361" />
        <source>Gift receipt for %1 printed.</source>
        <translation>小票 %1 的礼品小票已打印。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="366" />
        <source>Gift receipt %1 (no printer configured)</source>
        <translation>礼品小票 %1（未配置打印机）</translation>
    </message>
</context>
<context>
    <name>ReportView</name>
    <message>
        <location filename="../shift_screen.py" line="65" />
        <source>Z report no. %1 (day closed)</source>
        <translation>Z 报表 %1 号（已日结）</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="67" />
        <source>X report (shift still open)</source>
        <translation>X 报表（班次进行中）</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="70" />
        <source>Business day %1 · opened by %2 at %3</source>
        <translation>营业日 %1 · %2 于 %3 开班</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="81" />
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="82" />
        <source>Refunds</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="83" />
        <source>Discounts given</source>
        <translation>优惠合计</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="84" />
        <source>Net takings</source>
        <translation>净营业额</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="85" />
        <source>Float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="86" />
        <source>Cash sales (net)</source>
        <translation>现金销售（净额）</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="88" />
        <source>Paid in / paid out</source>
        <translation>存入 / 取出</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="91" />
        <source>Expected in drawer</source>
        <translation>钱箱应有</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="95" />
        <source>Counted</source>
        <translation>清点金额</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="98" />
        <source>Difference</source>
        <translation>差额</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="99" />
        <source>balances</source>
        <translation>相符</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="101" />
        <source>over %1</source>
        <translation>长款 %1</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="101" />
        <source>short %1</source>
        <translation>短款 %1</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="107" />
        <source>Receipts</source>
        <translation>小票号</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="114" />
        <source>Sales by hour</source>
        <translation>分时段销售</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="117" />
        <source>No sales yet</source>
        <translation>暂无销售</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="119" />
        <source>Sales by tender</source>
        <translation>按付款方式</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="122" />
        <source>No payments yet</source>
        <translation>暂无收款</translation>
    </message>
</context>
<context>
    <name>ReturnsScreen</name>
    <message>
        <location filename="../returns_screen.py" line="46" />
        <source>Return goods</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="50" />
        <source>Receipt number of the sale</source>
        <translation>原销售小票号</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="53" />
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="64" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="65" />
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="66" />
        <source>Paid each</source>
        <translation>单件实付</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="67" />
        <source>Can return</source>
        <translation>可退</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="68" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="84" />
        <location filename="../returns_screen.py" line="105" />
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="87" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="90" />
        <source>e.g. wrong size</source>
        <translation>例如：尺码不合适</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="92" />
        <source>Refund to</source>
        <translation>退款方式</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="93" />
        <location filename="../returns_screen.py" line="176" />
        <source>Original payment</source>
        <translation>原路退回</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="97" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="258" />
        <source>Refund done: receipt no. %1, paid back: %2.</source>
        <translation>退款完成：小票号 %1，已退：%2。</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="108" />
        <source>Back  Esc</source>
        <translation>返回  Esc</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="136" />
        <source>Type the receipt number (digits only).</source>
        <translation>请输入小票号（仅数字）。</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="150" />
        <source>Checking the receipt…</source>
        <translation>正在验证小票…</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="158" />
        <source>Receipt %1: </source>
        <translation>小票 %1：</translation>
    </message>
    <message>
        <location filename="../returns_screen.py" line="181" />
        <source>Receipt %1 · %2 · cashier %3 · total %4</source>
        <translation>小票 %1 · %2 · 收银员 %3 · 合计 %4</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <location filename="../sale_screen.py" line="54" />
        <source>Scan a barcode, or type SKU, name or pinyin initials</source>
        <translation>扫描条码，或输入货号、品名、拼音首字母</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="73" />
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="74" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="75" />
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="76" />
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="77" />
        <location filename="../sale_screen.py" line="383" />
        <source>Discount</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="78" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="93" />
        <location filename="../sale_screen.py" line="322" />
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="94" />
        <source>Line discount</source>
        <translation>单品折扣</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="95" />
        <location filename="../sale_screen.py" line="408" />
        <location filename="../sale_screen.py" line="414" />
        <source>Void line</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="107" />
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="111" />
        <source>Discounts</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="116" />
        <source>To pay</source>
        <translation>应付</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="122" />
        <source>Pay  F2</source>
        <translation>收款  F2</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="127" />
        <source>Suspend  F4</source>
        <translation>挂单  F4</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="128" />
        <source>Resume  F5</source>
        <translation>取单  F5</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="129" />
        <source>Member  F6</source>
        <translation>会员  F6</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="130" />
        <source>Return  F7</source>
        <translation>退货  F7</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="131" />
        <source>Reprint  F8</source>
        <translation>重印  F8</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="132" />
        <source>Shift  F9</source>
        <translation>班次  F9</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="133" />
        <source>Order discount</source>
        <translation>整单折扣</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="134" />
        <location filename="../sale_screen.py" line="424" />
        <location filename="../sale_screen.py" line="430" />
        <source>Void sale</source>
        <translation>整单作废</translation>
    </message>
    <message numerus="yes">
        <location filename="../sale_screen.py" line="206" />
        <source>%n item(s)</source>
        <translation>
            <numerusform>共 %n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="223" />
        <source>Members: not configured</source>
        <translation>会员：未配置</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="278" />
        <source>No match: press Enter to try it as a barcode</source>
        <translation>无匹配商品：按 Enter 按条码查找</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="325" />
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="326" />
        <location filename="../sale_screen.py" line="396" />
        <location filename="../sale_screen.py" line="415" />
        <location filename="../sale_screen.py" line="431" />
        <location filename="../sale_screen.py" line="453" />
        <location filename="../sale_screen.py" line="485" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="327" />
        <source>Type a whole number.</source>
        <translation>请输入整数。</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="365" />
        <source>Whole sale</source>
        <translation>整单</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="377" />
        <source>Give a reason for the discount.</source>
        <translation>请填写折扣原因。</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="387" />
        <source>Discount (10% or an amount in yuan; empty removes it)</source>
        <translation>折扣（如 10% 或金额；留空即取消）</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="391" />
        <location filename="../sale_screen.py" line="409" />
        <location filename="../sale_screen.py" line="425" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="391" />
        <source>e.g. damaged, VIP, price match</source>
        <translation>例如：瑕疵、VIP、比价</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="395" />
        <source>Apply</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="409" />
        <source>e.g. customer changed their mind</source>
        <translation>例如：顾客不要了</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="416" />
        <source>Say why the line is voided.</source>
        <translation>请填写删除原因。</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="425" />
        <source>e.g. customer left</source>
        <translation>例如：顾客离开</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="429" />
        <source>The whole sale is cancelled and recorded as voided.</source>
        <translation>整单将被取消并记录为作废。</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="432" />
        <source>Say why the sale is voided.</source>
        <translation>请填写作废原因。</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="443" />
        <source>Sale parked as no. %1</source>
        <translation>已挂单，单号 %1</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="449" />
        <source>Suspend sale</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="450" />
        <source>Note (optional)</source>
        <translation>备注（可选）</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="450" />
        <source>e.g. lady in red coat</source>
        <translation>例如：红色外套的女士</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="452" />
        <source>Suspend</source>
        <translation>挂单</translation>
    </message>
    <message numerus="yes">
        <location filename="../sale_screen.py" line="471" />
        <source>%n piece(s)</source>
        <translation>
            <numerusform>%n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="480" />
        <source>Resume a parked sale</source>
        <translation>取回挂单</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="483" />
        <source>No parked sales.</source>
        <translation>没有挂单。</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="484" />
        <source>Resume</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../sale_screen.py" line="492" />
        <source>Members are not configured on this till yet.</source>
        <translation>本机尚未配置会员服务。</translation>
    </message>
</context>
<context>
    <name>ShiftScreen</name>
    <message>
        <location filename="../shift_screen.py" line="157" />
        <source>Open the shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="158" />
        <source>Count the float in the drawer and type it in.</source>
        <translation>请清点钱箱中的备用金并输入金额。</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="164" />
        <source>Open shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="166" />
        <location filename="../shift_screen.py" line="247" />
        <source>Sign out</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="176" />
        <location filename="../shift_screen.py" line="266" />
        <source>Pay in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="177" />
        <location filename="../shift_screen.py" line="266" />
        <source>Pay out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="178" />
        <source>Refresh X report</source>
        <translation>刷新 X 报表</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="179" />
        <source>Close day (Z)</source>
        <translation>日结（Z）</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="180" />
        <location filename="../shift_screen.py" line="247" />
        <source>Back to sale  Esc</source>
        <translation>返回收银  Esc</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="198" />
        <source>Count the cash</source>
        <translation>清点现金</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="200" />
        <source>Number of notes and coins of each kind in the drawer.</source>
        <translation>输入钱箱中各面额纸币和硬币的数量。</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="217" />
        <source>Counted</source>
        <translation>清点金额</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="223" />
        <source>Close the day (Z report)</source>
        <translation>日结（Z 报表）</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="224" />
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="273" />
        <source>Give a reason (it is printed on the Z report).</source>
        <translation>请填写原因（会打印在日结报表上）。</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="280" />
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="281" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="281" />
        <source>e.g. change from the bank</source>
        <translation>例如：从银行换零钱</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="291" />
        <location filename="../shift_screen.py" line="350" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="301" />
        <location filename="../shift_screen.py" line="316" />
        <source>Expected %1</source>
        <translation>应有 %1</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="319" />
        <source>balances</source>
        <translation>相符</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="321" />
        <source>over %1</source>
        <translation>长款 %1</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="321" />
        <source>short %1</source>
        <translation>短款 %1</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="345" />
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="346" />
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="346" />
        <source>PIN</source>
        <translation>PIN 密码</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="348" />
        <source>A manager closes the day.</source>
        <translation>日结需要店长授权。</translation>
    </message>
    <message>
        <location filename="../shift_screen.py" line="349" />
        <source>Approve</source>
        <translation>授权</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../signin_screen.py" line="28" />
        <source>Who is selling?</source>
        <translation>谁在收银？</translation>
    </message>
    <message>
        <location filename="../signin_screen.py" line="29" />
        <source>Tap your name, then enter your PIN.</source>
        <translation>点选您的名字，然后输入 PIN 密码。</translation>
    </message>
    <message>
        <location filename="../signin_screen.py" line="37" />
        <source>Choose a user</source>
        <translation>请选择用户</translation>
    </message>
    <message>
        <location filename="../signin_screen.py" line="44" />
        <source>PIN</source>
        <translation>PIN 密码</translation>
    </message>
    <message>
        <location filename="../signin_screen.py" line="50" />
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../signin_screen.py" line="92" />
        <source>Tap your name first.</source>
        <translation>请先点选您的名字。</translation>
    </message>
    <message>
        <location filename="../signin_screen.py" line="99" />
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../status_bar.py" line="61" />
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="62" />
        <source>Drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="63" />
        <source>Scanner</source>
        <translation>扫码枪</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="64" />
        <source>Terminal</source>
        <translation>刷卡终端</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="65" />
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="66" />
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="71" />
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="72" />
        <source>check</source>
        <translation>请检查</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="73" />
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="74" />
        <source>not set up</source>
        <translation>未配置</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="113" />
        <source>Status not known yet.</source>
        <translation>状态未知。</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="117" />
        <source>What happened</source>
        <translation>发生了什么</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="119" />
        <source>What to do</source>
        <translation>如何处理</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="123" />
        <source>Waiting to send: %1</source>
        <translation>待发送：%1</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="124" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>TenderScreen</name>
    <message>
        <location filename="../tender_screen.py" line="86" />
        <source>Amount due</source>
        <translation>应收</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="91" />
        <source>Payments</source>
        <translation>已收款</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="96" />
        <source>Sale total</source>
        <translation>订单合计</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="102" />
        <source>Back to sale  Esc</source>
        <translation>返回收银  Esc</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="103" />
        <source>Cancel payments  F3</source>
        <translation>取消付款  F3</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="109" />
        <source>Cash received</source>
        <translation>实收现金</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="120" />
        <source>Take cash  Enter</source>
        <translation>收现金  Enter</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="142" />
        <location filename="../tender_screen.py" line="323" />
        <source>Cancel payment</source>
        <translation>取消支付</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="152" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="153" />
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="154" />
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="178" />
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="178" />
        <source>unavailable</source>
        <translation>暂不可用</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="195" />
        <source>Cash rounding: %1 off</source>
        <translation>抹零 %1</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="204" />
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="206" />
        <source>change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="234" />
        <location filename="../tender_screen.py" line="360" />
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="280" />
        <source>Scan the customer's %1 payment code</source>
        <translation>请扫描顾客的%1付款码</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="283" />
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="300" />
        <source>Payment has started: go back (Esc) to add more items.</source>
        <translation>正在收款：如需加购请先返回（Esc）。</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="305" />
        <source>%1 is not available on this till: take another tender.</source>
        <translation>本机暂不能使用%1：请改用其他支付方式。</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="319" />
        <source>%1: %2 — follow the terminal</source>
        <translation>%1：%2 — 请按终端提示操作</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="342" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="377" />
        <source>Cancel the payments (F3) before going back.</source>
        <translation>请先取消付款（F3）再返回。</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="391" />
        <source>Change due</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="404" />
        <source>Reprint  F8</source>
        <translation>重印  F8</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="406" />
        <source>Gift receipt</source>
        <translation>礼品小票</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="409" />
        <source>Next customer  Enter</source>
        <translation>下一位顾客  Enter</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="413" />
        <source>Receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="430" />
        <source>Receipt no. %1</source>
        <translation>小票号 %1</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="433" />
        <source>Total %1 · received %2</source>
        <translation>合计 %1 · 实收 %2</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="445" />
        <source>Receipt sent to the printer.</source>
        <translation>小票已发送到打印机。</translation>
    </message>
    <message>
        <location filename="../tender_screen.py" line="447" />
        <source>No receipt printer is configured: the receipt is shown here.</source>
        <translation>未配置小票打印机：小票内容显示如下。</translation>
    </message>
</context>
</TS>