// FindBar: the editor's find/replace strip (Ctrl+F, Ctrl+H), shown under the editor.
#pragma once

#include <QWidget>

class QLineEdit;
class QCheckBox;
class QLabel;

namespace loopscope::ui {

class CodeEditor;

class FindBar : public QWidget {
    Q_OBJECT
public:
    explicit FindBar(CodeEditor *editor, QWidget *parent = nullptr);

    void showFind();
    void showReplace();

    void findNext();
    void findPrevious();
    void replaceOne();
    int replaceAll();

protected:
    void keyPressEvent(QKeyEvent *e) override;

private:
    void setReplaceVisible(bool on);
    void report(bool found);

    CodeEditor *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_case;
    QCheckBox *m_word;
    QLabel *m_status;
    QWidget *m_replaceRow;
};

} // namespace loopscope::ui
